"""Pages for the public and businesses: report online, business reports, track my report."""
