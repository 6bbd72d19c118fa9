from django.http import HttpResponse


def programme_feed(request, year: int):
    return HttpResponse(status=501)


def meeting_feed(request, meeting_id: int):
    return HttpResponse(status=501)
