"""The one shape of a page for some signed-in people only.

Anonymous visitors go to the sign-in page and come back (Django's `login_required`);
signed-in people without the right get a 403, not a loop back to a sign-in they have
already done.
"""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def signed_in_and_allowed(allowed: Callable[..., bool]):
    """A view decorator: sign-in first, then 403 unless `allowed(request, *args, **kwargs)`."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not allowed(request, *args, **kwargs):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
