-- 'deprovisioning' was never written: a deleted row is gone at once and its teardown lives in twilio_teardowns.
-- A status no code sets only misleads readers of the table, so the check no longer admits it.

update public.user_twilio_credentials set status = 'failed' where status = 'deprovisioning';

alter table public.user_twilio_credentials drop constraint if exists user_twilio_credentials_status_check;
alter table public.user_twilio_credentials
  add constraint user_twilio_credentials_status_check
    check (status in ('pending', 'provisioning', 'active', 'failed'));
