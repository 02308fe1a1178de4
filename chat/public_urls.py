from django.urls import path

from . import views

app_name = "chat-public"

urlpatterns = [
    path("", views.public_chat, name="chat"),
    path("leave/", views.public_leave, name="leave"),
    path("transcript/", views.public_transcript, name="transcript"),
]
