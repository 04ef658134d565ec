"""billing-service: invoices for subscription plans (the book's running example)."""
