-- 0002: texts to patients. Every text is a row of `messages`, written in the same transaction as
-- the booking change that causes it and sent by a loop that claims rows FOR UPDATE SKIP LOCKED.

-- Bumped by every change that sends a text (booked, moved, cancelled): the outbox key's revision.
ALTER TABLE appointments ADD COLUMN revision integer NOT NULL DEFAULT 1;

CREATE TABLE messages (
  id              bigserial   PRIMARY KEY,
  appointment_id  bigint      NOT NULL REFERENCES appointments (id),
  kind            text        NOT NULL CHECK (kind IN ('confirmation', 'rescheduled', 'cancelled', 'reminder')),
  revision        integer     NOT NULL,
  to_number       text        NOT NULL CHECK (to_number ~ '^\+[1-9][0-9]{6,14}$'),
  body            text        NOT NULL,
  -- pending -> sending (claimed) -> sent -> delivered | failed; or dropped (superseded, opted out, too late)
  status          text        NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'dropped')),
  due_at          timestamptz NOT NULL,
  drop_after      timestamptz,                 -- not sent at or after this instant (the appointment's start)
  next_attempt_at timestamptz NOT NULL,
  claimed_until   timestamptz,                 -- a 'sending' row whose claim lapsed is claimed again
  attempts        integer     NOT NULL DEFAULT 0,
  twilio_sid      text        UNIQUE,
  twilio_status   text,
  error_code      integer,
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- A retried webhook or a replayed turn never queues the same text twice.
  CONSTRAINT messages_once UNIQUE (appointment_id, kind, revision)
);

CREATE INDEX messages_due_idx ON messages (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX messages_status_idx ON messages (status, updated_at);

-- Numbers that replied STOP (or ARRET...): nothing is sent to them until they reply START.
CREATE TABLE sms_opt_outs (
  mobile        text        PRIMARY KEY,
  opted_out_at  timestamptz NOT NULL DEFAULT now()
);

-- Twilio status callbacks, once per (MessageSid, MessageStatus): the same one can arrive twice.
CREATE TABLE message_status_events (
  message_sid  text        NOT NULL,
  status       text        NOT NULL,
  error_code   integer,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_sid, status)
);

-- Order of Twilio's message statuses: a row's status only ever moves to a higher rank.
CREATE FUNCTION twilio_status_rank(status text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE status
    WHEN 'accepted' THEN 1 WHEN 'scheduled' THEN 1 WHEN 'queued' THEN 2 WHEN 'sending' THEN 3
    WHEN 'sent' THEN 4 WHEN 'delivered' THEN 5 WHEN 'undelivered' THEN 5 WHEN 'failed' THEN 5
    WHEN 'canceled' THEN 5 WHEN 'read' THEN 6 ELSE 0 END $$;
