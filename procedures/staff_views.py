from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def staff_home(request):
    """The employee's landing page: their departments and, later, their task queues."""
    departments = [g.department for g in request.user.groups.select_related("department")
                   if hasattr(g, "department")]
    return render(request, "procedures/staff_home.html", {"departments": departments})
