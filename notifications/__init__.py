"""The outbox of messages to victims, the public and staff, and the senders (GOV.UK Notify, SMTP)."""
