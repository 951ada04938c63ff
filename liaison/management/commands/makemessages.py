"""``makemessages`` without fuzzy matching.

msgmerge's default guesses a translation for every new string from a similar old one
(“Enter a diary” became “录入人”) and marks it fuzzy; such guesses are nearly always
wrong in Chinese and easy to miss. New strings stay empty instead, and the translation
test lists them.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
