"""Evidence: exhibits with their hashes and chain of custody, resumable uploads, public upload links, evidential packages."""
