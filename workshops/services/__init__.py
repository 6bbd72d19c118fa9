"""Every write of the workshops domain, one module per concept."""
