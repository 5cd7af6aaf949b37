"""Template rendering without a database or an app: placeholders, SMS text and fragments, email HTML and text."""
