"""Routes of the case pages (the services, stays and movements of a case have theirs in `urls_services`)."""

from django.urls import path

from . import views_case

app_name = "cases"

urlpatterns: list = [
    path("", views_case.case_list, name="list"),
    path("new/", views_case.case_open, name="open"),
    path("saved-views/", views_case.saved_view_add, name="saved_view_add"),
    path("saved-views/<int:pk>/delete/", views_case.saved_view_delete, name="saved_view_delete"),
    path("<str:reference>/", views_case.case_detail, name="detail"),
    path("<str:reference>/edit/", views_case.case_edit, name="edit"),
    path("<str:reference>/transition/", views_case.case_transition, name="transition"),
    path("<str:reference>/members/new/", views_case.member_add, name="member_add"),
    path("<str:reference>/members/<int:pk>/remove/", views_case.member_remove, name="member_remove"),
    path("<str:reference>/goals/", views_case.goal_add, name="goal_add"),
    path("<str:reference>/goals/<int:pk>/edit/", views_case.goal_edit, name="goal_edit"),
    path("<str:reference>/tasks/", views_case.task_add, name="task_add"),
    path("<str:reference>/tasks/<int:pk>/done/", views_case.task_done, name="task_done"),
    path("<str:reference>/notes/", views_case.note_add, name="note_add"),
    path("<str:reference>/notes/<int:pk>/edit/", views_case.note_edit, name="note_edit"),
    path("<str:reference>/attachments/", views_case.attachment_upload, name="attachment_upload"),
    path("<str:reference>/attachments/<int:pk>/", views_case.attachment, name="attachment"),
    path("<str:reference>/attachments/<int:pk>/remove/", views_case.attachment_remove, name="attachment_remove"),
    path("<str:reference>/consents/<int:consent_id>/withdraw/", views_case.consent_withdraw,
         name="consent_withdraw"),
]
