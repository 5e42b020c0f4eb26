-- What a Supabase project provides before any migration runs, recreated for a plain PostgreSQL: the API roles,
-- the auth schema with auth.users and the helpers RLS policies call, and the default grants on public that make
-- row-level security (not missing grants) the thing that protects data. Idempotent; never part of migrations.

do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_anonymous boolean not null default false,
  last_sign_in_at timestamptz,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  deleted_at timestamptz
);

create unique index if not exists users_email_partial_key on auth.users (email) where email is not null;

-- Sessions and refresh tokens, under Supabase Auth's table names, for the local Auth stand-in
-- (scripts/local/auth-api.ts). Deleting a user ends their sessions.
create table if not exists auth.sessions (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);

create table if not exists auth.refresh_tokens (
  id bigint generated always as identity primary key,
  token varchar(255) unique,
  user_id varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade,
  revoked boolean not null default false,
  created_at timestamptz default now()
);

-- What Supabase's definitions answer: PostgREST puts the verified JWT claims in request.jwt.claims (older
-- versions set each claim in request.jwt.claim.<name>). jwt_claim is this stand-in's own, shared by uid and role.
create or replace function auth.jwt_claim(name text) returns text
language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.' || name, true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> name)
  )
$$;

create or replace function auth.uid() returns uuid
language sql stable as $$ select auth.jwt_claim('sub')::uuid $$;

create or replace function auth.role() returns text
language sql stable as $$ select auth.jwt_claim('role') $$;

create or replace function auth.jwt() returns jsonb
language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.jwt_claim(text), auth.uid(), auth.role(), auth.jwt()
  to anon, authenticated, service_role;

-- Supabase grants the API roles everything on public by default; RLS policies then decide row access.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
