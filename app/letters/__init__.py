"""Letters: postal addresses, rendering to PDF, PDF storage, precompiled PDFs (virus scan and checks), printing."""
