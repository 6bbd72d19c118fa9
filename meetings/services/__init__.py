"""Every write of the programme domain, one module per concept."""
