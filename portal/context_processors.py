"""What every signed-in page shows in its navigation: the number of to-do items."""

from django.utils.functional import SimpleLazyObject


def todo(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from responsibility_areas.selectors import current_area

        from .todo import todo_count

        return todo_count(user, current_area(request))

    return {"todo_count": SimpleLazyObject(count)}
