"""Technology transfer: pages (the navigation shows the entry once ``transfer:home`` exists)."""

from django.urls import path

from techsme.transfer.views import challenges, contracts, products, public, workspace

app_name = "transfer"

urlpatterns = [
    path("", public.home, name="home"),
    path("outcomes/", public.outcomes, name="outcomes"),
    path("outcomes/new/", workspace.outcome_form, name="outcome_new"),
    path("outcomes/<int:pk>/", public.outcome_detail, name="outcome"),
    path("outcomes/<int:pk>/edit/", workspace.outcome_form, name="outcome_edit"),
    path("outcomes/<int:pk>/<slug:action>/", workspace.outcome_action, name="outcome_action"),
    path("belt-and-road/", public.belt_and_road, name="belt_and_road"),
    path("moderation/", workspace.moderation, name="moderation"),
    path("rank-all/", workspace.rank_all, name="rank_all"),
    path("needs/", public.needs, name="needs"),
    path("needs/new/", workspace.need_form, name="need_new"),
    path("needs/<int:pk>/", workspace.need_page, name="need"),
    path("needs/<int:pk>/edit/", workspace.need_form, name="need_edit"),
    path("needs/<int:pk>/<slug:action>/", workspace.need_action, name="need_action"),
    path("matches/<int:pk>/", workspace.match_page, name="match"),
    path("matches/<int:pk>/<slug:action>/", workspace.match_action, name="match_action"),
    path("mine/", workspace.mine, name="mine"),
    path("challenges/", challenges.challenges, name="challenges"),
    path("challenges/new/", challenges.challenge_form, name="challenge_new"),
    path("challenges/<int:pk>/", challenges.challenge_page, name="challenge"),
    path("challenges/<int:pk>/<slug:action>/", challenges.challenge_action, name="challenge_action"),
    path("contracts/", contracts.contracts, name="contracts"),
    path("contracts/new/", contracts.contract_form, name="contract_new"),
    path("contracts/rules/", public.rules_page, name="rules"),
    path("contracts/<int:pk>/", contracts.contract_page, name="contract"),
    path("contracts/<int:pk>/certificate.pdf", contracts.certificate, name="certificate"),
    path("contracts/<int:pk>/<slug:action>/", contracts.contract_action, name="contract_action"),
    path("verify/<str:number>/", public.verify, name="verify"),
    path("statistics/", public.statistics, name="statistics"),
    path("brokers/", public.brokers, name="brokers"),
    path("products/", public.products, name="products"),
    path("products/new/", products.product_form, name="product_new"),
    path("products/<int:pk>/decide/", products.product_decide, name="product_decide"),
    path("products/export.<str:fmt>", public.products_export, name="products_export"),
]
