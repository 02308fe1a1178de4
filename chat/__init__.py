"""Live chat: the public chat page, the staff console, queues, transcripts on the contact record."""
