"""Form widgets every app shares.

``<input type="date">`` takes and gives ISO dates (2026-12-07) whatever the page's
language; Django writes a date field's value in the active locale's first input format
(zh-hans: 2026/12/07), which the browser rejects — the joint-meeting form's own default
date came up blank and could not be saved (issue 23 §4).
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
