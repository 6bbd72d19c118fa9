"""The limit on public registration writes, per client address: new registrations
(the API and the form share one allowance) and changes or cancellations by token."""

from events_site.kit.throttles import AddressThrottle


class RegistrationThrottle(AddressThrottle):
    scope = "registration"
    rate_setting = "REGISTRATION_THROTTLE_RATE"


# The form's: one per process is enough, being thread-local.
form_throttle = RegistrationThrottle()
