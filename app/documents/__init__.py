"""Files sent by email: sealed per document, stored behind one interface, served on Herald's download page."""
