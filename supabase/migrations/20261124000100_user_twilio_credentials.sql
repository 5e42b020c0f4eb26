-- The table the product extends: one row per Twilio account a user connects. auth_token holds ciphertext written
-- by the Edge Functions (see supabase/functions/_shared/crypto); the database never needs the plaintext.

create table if not exists public.user_twilio_credentials (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  account_sid text not null check (account_sid ~ '^AC[0-9a-f]{32}$'),
  auth_token text not null,
  trunk_sid text check (trunk_sid ~ '^TK[0-9a-f]{32}$'),
  label text check (char_length(label) <= 100),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- At most one active row per user; any number of inactive ones (UNIQUE (user_id, is_active) would allow only one).
create unique index if not exists user_twilio_credentials_one_active_per_user
  on public.user_twilio_credentials (user_id) where is_active;

create index if not exists user_twilio_credentials_user_id on public.user_twilio_credentials (user_id);

create or replace function public.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

drop trigger if exists user_twilio_credentials_set_updated_at on public.user_twilio_credentials;
create trigger user_twilio_credentials_set_updated_at
  before update on public.user_twilio_credentials
  for each row execute function public.set_updated_at();
