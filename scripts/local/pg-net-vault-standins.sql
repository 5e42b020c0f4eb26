-- Local stand-ins for the Supabase extensions the credential webhook and the sweeper use, so both run end to end
-- without Docker. Only their surface is reproduced:
--   net.http_post(...)       queues the request in net.http_request_queue and notifies on commit, as pg_net's
--                            background worker only sees committed requests; scripts/local/webhook-dispatcher.ts
--                            delivers them and records the outcome in net._http_response.
--   vault.decrypted_secrets  name -> decrypted_secret, readable only by the owner (the stand-in stores plain text;
--                            on Supabase, Vault encrypts at rest).
--   cron.schedule(...)       records the job in cron.job (a name schedules once: again, it replaces the job);
--                            scripts/local/cron-runner.ts runs every job once a minute, as pg_cron's worker would.
-- A plain PostgreSQL without this file is the other supported target: the webhook trigger then does nothing.

create schema if not exists net;

create table if not exists net.http_request_queue (
  id bigserial primary key,
  method text not null,
  url text not null,
  headers jsonb not null,
  body jsonb,
  timeout_milliseconds integer not null,
  created_at timestamptz not null default now()
);

create table if not exists net._http_response (
  id bigint primary key,
  status_code integer,
  content text,
  error_msg text,
  created timestamptz not null default now()
);

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language plpgsql as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', url, headers, body, timeout_milliseconds)
  returning id into request_id;
  perform pg_notify('net_http_request', request_id::text);
  return request_id;
end
$$;

create schema if not exists vault;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  secret text not null,
  description text not null default '',
  created_at timestamptz not null default now()
);

create or replace view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, created_at from vault.secrets;

create or replace function vault.create_secret(new_secret text, new_name text default null, new_description text default '')
returns uuid
language sql as $$
  insert into vault.secrets (name, secret, description) values (new_name, new_secret, new_description)
  on conflict (name) do update set secret = excluded.secret
  returning id
$$;

create schema if not exists cron;

create table if not exists cron.job (
  jobid bigserial primary key,
  jobname text unique,
  schedule text not null,
  command text not null
);

create or replace function cron.schedule(job_name text, schedule text, command text) returns bigint
language sql as $$
  insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
  on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid
$$;
