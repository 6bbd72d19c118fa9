"""Every write of the registrations domain, one module per concept."""
