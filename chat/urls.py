from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.console, name="console"),
    path("accept/", views.accept_next, name="accept"),
    path("<int:chat_id>/", views.chat_workspace, name="chat"),
    path("<int:chat_id>/send/", views.send, name="send"),
    path("<int:chat_id>/advice/", views.send_advice, name="advice"),
    path("<int:chat_id>/person/", views.link_person, name="person"),
    path("<int:chat_id>/transfer/", views.transfer, name="transfer"),
    path("<int:chat_id>/end/", views.end, name="end"),
    path("<int:chat_id>/contact/", views.record_contact, name="contact"),
]
