// Test double: Bella's Twilio webhooks as canned TwiML, checking each request's signature.
#pragma once
#include <deque>
#include <string>
#include <vector>

#include "sim/call_simulator.hpp"

namespace bella::testing {

/// Answers CallSimulator's POSTs in-process (no sockets): each request is decoded, its
/// X-Twilio-Signature checked as the server will check it (public base URL + raw target), and
/// the next canned reply returned.
class FakeTwilioWebhooks {
 public:
  struct Seen {
    std::string target;          // path and query, as the server would see it
    std::string content_type;
    twilio::Params params;       // decoded form, in order
    bool signed_ = false;        // an X-Twilio-Signature header was present
    bool signature_ok = false;   // ... and it validated
  };

  FakeTwilioWebhooks(std::string server_base, std::string public_base, std::string auth_token);

  /// Queues a reply; status 200 and text/xml unless given.
  void reply(std::string body, int status = 200, std::string content_type = "text/xml");
  /// Replies from the queue; 500 with an empty body once it is exhausted.
  twilio::HttpReply handle(const twilio::HttpPost& post);
  twilio::Transport transport();

  std::vector<Seen> seen;

 private:
  std::string server_base_;
  std::string public_base_;
  std::string auth_token_;
  std::deque<twilio::HttpReply> replies_;
};

/// The value of `name` in `params`, or "<absent>".
std::string param(const twilio::Params& params, std::string_view name);

}  // namespace bella::testing
