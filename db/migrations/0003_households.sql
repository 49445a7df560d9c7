-- 0003: households. A mobile may belong to several patients (a family phone); a patient is one
-- (mobile, name) pair, names compared case-insensitively. Existing rows are kept as they are (the
-- old one-user-per-mobile rule cannot have produced duplicates under the new one).
ALTER TABLE users DROP CONSTRAINT users_mobile_key;
CREATE UNIQUE INDEX users_mobile_name_key ON users (mobile, lower(full_name));

-- Names are spoken or typed text, never control characters (NOT VALID: existing rows are not
-- re-checked, new and changed ones are).
ALTER TABLE users ADD CONSTRAINT users_full_name_printable CHECK (full_name !~ '[[:cntrl:]]') NOT VALID;

-- Which call cancelled an appointment, so that a retried phone turn gets the same answer.
ALTER TABLE appointments ADD COLUMN cancel_call_sid text;
