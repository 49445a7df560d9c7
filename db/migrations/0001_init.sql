-- 0001: users and appointments (the seed's column names) plus the constraints correctness needs.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE users (
  id         bigserial PRIMARY KEY,
  full_name  text        NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  mobile     text        NOT NULL UNIQUE CHECK (mobile ~ '^\+[1-9][0-9]{6,14}$'),  -- E.164
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- timestamptz + interval is only STABLE (day/month steps depend on the zone); whole minutes do not,
-- so this wrapper may honestly be IMMUTABLE, as an exclusion constraint requires.
CREATE FUNCTION appointment_span(starts_at timestamptz, minutes integer) RETURNS tstzrange
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT tstzrange(starts_at, starts_at + minutes * interval '1 minute', '[)') $$;

CREATE TABLE appointments (
  id               bigserial PRIMARY KEY,
  user_id          bigint      NOT NULL REFERENCES users (id),
  starts_at_utc    timestamptz NOT NULL,
  duration_minutes integer     NOT NULL DEFAULT 30 CHECK (duration_minutes BETWEEN 1 AND 1440),
  status           text        NOT NULL DEFAULT 'scheduled'
                               CHECK (status IN ('scheduled', 'cancelled', 'completed', 'no_show')),
  call_sid         text        UNIQUE,
  notes            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  -- No two scheduled appointments overlap, however many server instances race (SQLSTATE 23P01).
  CONSTRAINT appointments_no_overlap
    EXCLUDE USING gist (appointment_span(starts_at_utc, duration_minutes) WITH &&)
    WHERE (status = 'scheduled')
);

CREATE INDEX appointments_starts_at_idx ON appointments (starts_at_utc, id);
CREATE INDEX appointments_user_idx ON appointments (user_id, starts_at_utc);
