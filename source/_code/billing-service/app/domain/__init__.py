"""Domain code: plans, prices and invoices. Never imports app.ui."""
