from django.conf import settings


def portal(request):
    return {"MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME}
