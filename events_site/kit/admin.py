"""Admin building blocks every app shares."""


class ReadOnlyAdminMixin:
    """For records of what happened (emails sent, invitations): listed and shown, never
    added, edited or deleted by hand, since the services alone know their rules."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
