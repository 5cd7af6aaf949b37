"""Letters: postal addresses, rendering to PDF, PDF storage, and the seams for precompiled PDFs and printing."""
