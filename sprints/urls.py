"""The sprints pages, included under /products/."""

from django.urls import path

from sprints import views

app_name = "sprints"

product = "<int:product_id>/"
sprint = product + "sprints/<int:number>/"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("similar/", views.similar_solutions, name="similar_solutions"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/list/", views.inbox_list, name="inbox_list"),
    path(product, views.backlog, name="backlog"),
    path(product + "backlog/list/", views.backlog_list, name="backlog_list"),
    path(product + "labels/", views.labels, name="labels"),
    path(product + "labels/<int:label_id>/", views.label_change, name="label_change"),
    path(product + "labels/<int:label_id>/delete", views.label_delete, name="label_delete"),
    path(product + "epics/", views.epics, name="epics"),
    path(product + "epics/<int:epic_id>/", views.epic_detail, name="epic_detail"),
    path(product + "epics/<int:epic_id>/delete", views.epic_delete, name="epic_delete"),
    path(product + "items/<int:item_id>/tags", views.item_tags, name="item_tags"),
    path(product + "team/", views.team, name="team"),
    path(product + "team/<int:member_id>/role", views.team_role, name="team_role"),
    path(product + "team/<int:member_id>/remove", views.team_remove, name="team_remove"),
    path(product + "team/hand-over", views.team_hand_over, name="team_hand_over"),
    path(product + "edit/", views.product_edit, name="product_edit"),
    path(product + "items/", views.item_create, name="item_create"),
    path(product + "items/<int:item_id>/", views.item_detail, name="item_detail"),
    path(product + "items/<int:item_id>/move", views.item_move, name="item_move"),
    path(product + "items/<int:item_id>/status", views.item_status, name="item_status"),
    path(product + "items/<int:item_id>/assign", views.item_assign, name="item_assign"),
    path(product + "sprints/", views.sprint_list, name="sprint_list"),
    path(sprint, views.sprint_board, name="sprint_board"),
    path(sprint + "board/", views.board_columns, name="board_columns"),
    path(sprint + "plan", views.sprint_plan, name="sprint_plan"),
    path(sprint + "review", views.sprint_review, name="sprint_review"),
    path(sprint + "review/charts/", views.review_charts, name="review_charts"),
    path(sprint + "start", views.sprint_transition, {"action": "start"}, name="sprint_start"),
    path(sprint + "finish", views.sprint_transition, {"action": "finish"}, name="sprint_finish"),
    path(sprint + "close", views.sprint_close, name="sprint_close"),
    path(product + "increments/", views.increment_list, name="increment_list"),
    path(
        product + "increments/<int:increment_id>/submit",
        views.increment_submit,
        name="increment_submit",
    ),
    path(product + "increments/<int:increment_id>/accept", views.acceptance, name="acceptance"),
    path(
        product + "increments/<int:increment_id>/accept/entries/",
        views.acceptance_entries,
        name="acceptance_entries",
    ),
    path(product + "increments/<int:increment_id>/judge", views.judge, name="judge"),
    path(
        product + "increments/<int:increment_id>/judge/answer",
        views.judge_answer,
        name="judge_answer",
    ),
    path(product + "increments/<int:increment_id>/judge/send", views.judge_send, name="judge_send"),
    path(
        product + "verdicts/<int:verdict_id>/criteria/<int:answer_id>/screenshot",
        views.criterion_screenshot,
        name="criterion_screenshot",
    ),
    path(
        product + "verdicts/<int:verdict_id>/screenshot",
        views.verdict_screenshot,
        name="verdict_screenshot",
    ),
]
