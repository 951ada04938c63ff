"""The clerk's Excel import: upload, preview (dry run), confirm, progress, history, template.

A check or an import runs as the Celery task ``run_import``. The job page starts it with
a POST and polls ``progress`` every second while it runs: with a worker (REDIS_URL) the
POST returns at once; in the embedded default the task runs eagerly inside that POST,
and the poll, served by another thread, still shows the rows counted so far.
"""

import logging
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from foundation import outbox
from liaison import services
from liaison.importing import (
    ReadError,
    job_progress,
    max_upload_bytes,
    read_roster,
    report_progress,
)
from liaison.importing.export import can_see_full_pii
from liaison.importing.report import error_report
from liaison.importing.template import roster_template
from liaison.models import ImportJob, ImportStatus
from responsibility_areas.models import Area, Level, Role
from responsibility_areas.selectors import user_roles

logger = logging.getLogger(__name__)

IMPORTERS = {Role.CLERK, Role.ADMINISTRATOR}
RUNNING = (ImportStatus.UPLOADED, ImportStatus.PREVIEWING, ImportStatus.IMPORTING)
QUEUED_LABEL = gettext_lazy("Queued: it starts by itself as soon as the task queue is back.")
ERRORS_PER_PAGE = 100
PROGRESS_SALT = "liaison.imports.progress"
PROGRESS_TOKEN_AGE = 24 * 3600


def _require_importer(user) -> None:
    if not (user.is_superuser or user_roles(user) & IMPORTERS):
        raise Http404


def _jobs_for(user):
    """Jobs of uploaders within the user's scope, and always the user's own."""
    return ImportJob.objects.visible_to(user) | ImportJob.objects.filter(user=user)


def get_job_for(user, pk) -> ImportJob:
    """The access helper: an import the user may see, or 404."""
    _require_importer(user)
    return get_object_or_404(_jobs_for(user).select_related("user"), pk=pk)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


class SizeLimitedUpload(FileUploadHandler):
    """Stops reading a file part past the limit, before Django spools it all to disk.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count file parts, so the view sets this
    handler first. The CSRF token precedes the file in the form, so it is parsed
    already when the upload is cut off.
    """

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit, self.exceeded = limit, False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet name"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Optional: by default the first sheet with roster headers is read."),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        if too_large:
            self.fields["file"].required = False  # the real error is the size, said below

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = max_upload_bytes()
        if self.too_large or (upload is not None and upload.size > limit):
            raise forms.ValidationError(
                _("The file is larger than %(size)s; split it into several files.")
                % {"size": _size(limit)},
                code="too_large",
            )
        return upload


@csrf_exempt  # only so the size limit is in place before the body is read; checked below
@login_required
def import_list(request):
    """Upload form and the import history."""
    _require_importer(request.user)
    limiter = None
    if request.method == "POST":
        limiter = SizeLimitedUpload(request, max_upload_bytes())
        request.upload_handlers.insert(0, limiter)
    return _import_list(request, limiter)


@csrf_protect
def _import_list(request, limiter):
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, too_large=limiter.exceeded)
        if form.is_valid():
            job = _create_job(request, form)
            if job is not None:
                return redirect("import_detail", pk=job.pk)
    jobs = _jobs_for(request.user).select_related("user").defer("errors", "notices")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "liaison/imports/list.html",
        {
            "form": form,
            "page": page,
            "limit": _size(max_upload_bytes()),
            "keep_days": settings.LIAISON_IMPORT_KEEP_DAYS,
        },
    )


def _create_job(request, form) -> ImportJob | None:
    upload = form.cleaned_data["file"]
    try:
        return services.create_import_job(
            actor=request.user,
            data=upload.read(),
            file_name=upload.name,
            sheet=form.cleaned_data["sheet"].strip(),
        )
    except services.LiaisonError as exc:
        form.add_error("file", exc.message)
        return None


@login_required
def import_detail(request, pk):
    """Progress while it runs; then the preview (counts, errors, confirm) or the outcome."""
    job = get_job_for(request.user, pk)
    errors = job.errors or []
    page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    counts = job.counts or {}
    return render(
        request,
        "liaison/imports/detail.html",
        {
            "job": job,
            "running": job.status in RUNNING or outbox.waiting(job_ref(job)),
            "queued": outbox.waiting(job_ref(job)),
            "progress": job_progress(job),
            "progress_token": progress_token(job, request.user),
            "wait_for": "done failed"
            if job.status == ImportStatus.IMPORTING
            else "previewed failed",
            "counts": counts,
            "page": page,
            "error_count": len(errors),
            "can_confirm": job.status == ImportStatus.PREVIEWED and not job.file_deleted_at,
            "has_errors": bool(counts.get("error_rows") or errors),
            "can_download_errors": bool(errors)
            and not job.file_deleted_at
            and _may_download_report(request.user, job),
            "keep_days": settings.LIAISON_IMPORT_KEEP_DAYS,
            "can_rerun": job.status == ImportStatus.FAILED and not job.file_deleted_at,
            "can_discard": job.status in services.import_jobs.DISCARDABLE,
        },
    )


def progress_token(job: ImportJob, user) -> str:
    return signing.dumps([job.pk, user.pk], salt=PROGRESS_SALT)


def import_progress(request, pk):
    """What the progress bar needs, polled every second: status, done, total, percent.

    The page polls with a signed token and without cookies: a poll that carried the
    session would load and save it every second (SESSION_SAVE_EVERY_REQUEST), and on
    SQLite that write waits behind the import's own transaction, freezing the bar.
    Without a token, the usual session and scope check applies.
    """
    token = request.GET.get("token")
    if token:
        try:
            job_id, _user_id = signing.loads(token, salt=PROGRESS_SALT, max_age=PROGRESS_TOKEN_AGE)
        except signing.BadSignature as exc:
            raise Http404 from exc
        if job_id != pk:
            raise Http404
        job = get_object_or_404(ImportJob.objects.only("pk", "status"), pk=pk)
    elif request.user.is_authenticated:
        job = get_job_for(request.user, pk)
    else:
        raise Http404
    progress = job_progress(job)
    queued = outbox.waiting(job_ref(job))
    return JsonResponse(
        {
            **progress,
            "status_label": str(ImportStatus(job.status).label),
            "queued": queued,
            "queued_label": str(QUEUED_LABEL) if queued else "",
        }
    )


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _answer(request, job, ok: bool):
    if _wants_json(request):
        return JsonResponse(
            {"ok": ok, "url": reverse("import_detail", args=[job.pk])}, status=200 if ok else 409
        )
    return redirect("import_detail", pk=job.pk)


def job_ref(job) -> str:
    return f"import:{job.pk}"


def _run(request, job, *, confirm: bool, valid_rows_only: bool = False) -> bool:
    """Queue the task through the outbox (or, in the embedded default, run it here).

    With Redis down the task waits in the outbox and starts when the queue is back: the
    user is told so ("排队中…"), never refused. A task already waiting is not queued twice.
    """
    if outbox.waiting(job_ref(job)):
        return True
    report_progress(job.pk, 0, 0)  # the bar starts empty, not at the last run's end
    attempt = services.queue_import_attempt(actor=request.user, job=job, confirm=confirm)
    try:
        # Autocommit: the row is stored, then sent (or, eager, the task runs here).
        outbox.enqueue(
            "liaison.tasks.run_import",
            [job.pk],
            {"confirm": confirm, "valid_rows_only": valid_rows_only, "attempt": attempt},
            ref=job_ref(job),
        )
    except Exception:  # eager (embedded default): the task ran here and failed
        logger.exception("import job %s failed in-process", job.pk)
        job.refresh_from_db(fields=["status"])
        return job.status == ImportStatus.FAILED
    return True


@require_POST
@login_required
def import_preview(request, pk):
    """Start the check (dry run) of an uploaded file; writes nothing but the job."""
    job = get_job_for(request.user, pk)
    rerun = job.status == ImportStatus.FAILED and not job.file_deleted_at
    if job.status != ImportStatus.UPLOADED and not rerun:
        return _answer(request, job, True)  # already started (a second tab, a reload)
    if rerun:
        messages.info(request, _("The file is being checked again."))
    return _answer(request, job, _run(request, job, confirm=False))


@require_POST
@login_required
def import_confirm(request, pk):
    """Import a checked file: all or nothing, or only the valid rows when ticked."""
    job = get_job_for(request.user, pk)
    valid_rows_only = request.POST.get("valid_rows_only") == "1"
    if job.status != ImportStatus.PREVIEWED:
        messages.error(request, _("This file is not waiting for confirmation."))
        return _answer(request, job, False)
    if (job.counts or {}).get("error_rows") and not valid_rows_only:
        messages.error(
            request,
            _(
                "The file has rows with errors, so nothing was imported. Correct the file and upload "
                "it again, or tick “import only the valid rows”."
            ),
        )
        return _answer(request, job, False)
    return _answer(request, job, _run(request, job, confirm=True, valid_rows_only=valid_rows_only))


@require_POST
@login_required
def import_discard(request, pk):
    """Give up a file not imported: it leaves 待办; nothing from it was written."""
    job = get_job_for(request.user, pk)
    try:
        services.discard_import_job(actor=request.user, job=job)
    except services.LiaisonError as exc:
        messages.error(request, exc.message)
        return redirect("import_detail", pk=job.pk)
    messages.success(request, _("The import of %(file)s was discarded.") % {"file": job.file_name})
    return redirect("import_list")


def _may_download_report(user, job) -> bool:
    """The report repeats the file's full ID numbers: the uploader's own file, or PII readers."""
    return job.user_id == user.pk or can_see_full_pii(user)


@login_required
def import_error_report(request, pk):
    """The uploaded rows plus an 错误原因 column, as .xlsx."""
    job = get_job_for(request.user, pk)
    if not job.errors or job.file_deleted_at or not _may_download_report(request.user, job):
        raise Http404
    try:
        table = read_roster(
            services.job_file_path(job), file_name=job.file_name, sheet=job.sheet_name or None
        )
    except (ReadError, OSError) as exc:
        logger.warning("error report of import %s: %s", job.pk, exc)
        raise Http404 from exc
    if job.user_id != request.user.pk:
        services.record_pii_export(
            actor=request.user, what="import_error_report", rows=len(table.rows)
        )
    name = f"{Path(job.file_name).stem}-错误报告.xlsx"
    return _xlsx(error_report(table, job.errors), name)


@login_required
def import_template(request):
    """The empty roster with headers, one example row and drop-down lists."""
    _require_importer(request.user)
    village = (
        Area.objects.visible_to(request.user)
        .filter(level__in=[Level.VILLAGE, Level.COMMUNITY])
        .order_by("path")
        .first()
    )
    return _xlsx(roster_template(village), "结对花名册模板.xlsx")


def _xlsx(data: bytes, file_name: str) -> HttpResponse:
    return HttpResponse(
        data,
        headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": content_disposition_header(True, file_name),
        },
    )
