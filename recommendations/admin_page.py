"""The admin's list of recommendations written as Django's admin/change_list.html writes it.

Django renders the page through base.html, change_list.html and five included templates: ~60 translations and ~150
variable lookups, ~1.5 ms a page at national size (bench/). The list's own parts are written here from the same
values: its head (the styles and scripts), its breadcrumbs and tools, and its content (filters, search, actions bar,
table and pagination). tests/test_admin.py compares the whole page with what Django's templates render.
"""

from html import escape  # Django's escape() is this behind a lazy-string wrapper, which costs µs a call
from typing import Any

from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.templatetags.admin_list import pagination
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import IS_FACETS_VAR, PAGE_VAR, SEARCH_VAR
from django.forms.utils import flatatt
from django.forms.widgets import MediaAsset, Script
from django.http import HttpRequest
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language_bidi, gettext, ngettext

from config.admin import static_url
from core import html


def _text(value: Any) -> str:
    """A value as {{ value }} writes it: localized, and escaped unless it is safe."""
    return html.escape(localize(value))


class ChangeListPage:
    """The list page's own parts, for the blocks of Django's change_list.html and base.html that the list's template
    overrides. Its static paths are converted once a process (config.admin.static_url), and its media written without
    a format_html and a storage lookup a script. The content is Django's unless the list is the plain kind written
    here (no editable columns, no date hierarchy)."""

    def __init__(self, request: HttpRequest, context: dict[str, Any]) -> None:
        self.request = request
        self.nonce_value = get_nonce(request)
        self.nonce = "" if self.nonce_value is None else f' nonce="{escape(str(self.nonce_value))}"'
        self.context = context
        self.cl = context["cl"]
        self.writes_content = not self.cl.formset and not self.cl.date_hierarchy and self.cl.writes_rows
        self.site = self.cl.model_admin.admin_site.name

    # --- the head ---

    def style(self) -> SafeString:
        context, nonce = self.context, self.nonce
        parts = [f'<link rel="stylesheet" href="{escape(static_url("admin/css/changelists.css"))}"{nonce}>']
        if context["action_form"]:
            parts.append(f'<script src="{escape(reverse("admin:jsi18n", current_app=self.site))}"{nonce}></script>')
        media = context["media"]
        parts.extend(self._asset(asset) for medium in sorted(media._css) for asset in media._css[medium])
        if not context["actions_on_top"] and not context["actions_on_bottom"]:
            parts.append(f"<style{nonce}>#changelist table thead th:first-child {{width: inherit}}</style>")
        return mark_safe("\n".join(parts))

    def scripts(self) -> SafeString:
        parts = [self._asset(asset) for asset in self.context["media"]._js]
        parts.append(f'<script src="{escape(static_url("admin/js/filters.js"))}" defer{self.nonce}></script>')
        return mark_safe("\n".join(parts))

    def base_css(self) -> str:  # base.html's stylesheet block: inside an attribute, escaped by the template
        return static_url("admin/css/base.css")

    def dark_mode(self) -> SafeString:  # base.html's dark-mode-vars block
        css, script = static_url("admin/css/dark_mode.css"), static_url("admin/js/theme.js")
        link = f'<link rel="stylesheet" href="{escape(css)}"{self.nonce}>'
        return mark_safe(f'{link}\n<script src="{escape(script)}"{self.nonce}></script>')

    def responsive(self) -> SafeString:  # base.html's responsive block
        parts = ['<meta name="viewport" content="width=device-width, initial-scale=1.0">']
        for path in ("admin/css/responsive.css", "admin/css/responsive_rtl.css")[: 2 if get_language_bidi() else 1]:
            parts.append(f'<link rel="stylesheet" href="{escape(static_url(path))}"{self.nonce}>')
        return mark_safe("\n".join(parts))

    def _asset(self, asset: Any) -> str:
        """As Media.render with the nonce: Django's MediaAsset.render, the path through static_url."""
        if not isinstance(asset, MediaAsset):
            return asset.__html__()
        path = asset._path if asset._path.startswith(("http://", "https://", "/")) else static_url(asset._path)
        if type(asset) is Script and not asset.attributes:
            return f'<script src="{escape(path)}"{self.nonce}></script>'
        attributes = flatatt({**({"nonce": self.nonce_value} if self.nonce else {}), **asset.attributes})
        return asset.element_template.format(path=escape(path), attributes=attributes)

    # --- above the content ---

    def breadcrumbs(self) -> SafeString:
        opts = self.cl.opts
        home = reverse("admin:index", current_app=self.site)
        app = reverse("admin:app_list", kwargs={"app_label": opts.app_label}, current_app=self.site)
        return mark_safe(
            f'<ol class="breadcrumbs">\n<li><a href="{escape(home)}">{gettext("Home")}</a></li>\n'
            f'<li><a href="{escape(app)}">{_text(opts.app_config.verbose_name)}</a></li>\n'
            f'<li aria-current="page">{_text(capfirst(opts.verbose_name_plural))}</li>\n</ol>'
        )

    def object_tools(self) -> SafeString:
        context, opts = self.context, self.cl.opts
        item = ""
        if context["has_add_permission"]:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add", current_app=self.site)
            url = add_preserved_filters(context, url, context["is_popup"], context["to_field"])
            name = gettext("Add %(name)s") % {"name": _text(opts.verbose_name)}
            item = f'\n<li>\n<a href="{escape(url)}" class="addlink">\n{name}\n</a>\n</li>\n'
        return mark_safe(f'<ul class="object-tools">{item}</ul>')

    # --- the content ---

    def content(self) -> SafeString:
        cl = self.cl
        form = f'<form id="changelist-form" method="post" novalidate>{self._csrf()}\n{self.result_list()}\n'
        footer = f'<div class="changelist-footer">\n{self.pagination()}\n</div>\n</form>'
        inner = f"{self.filters()}\n<div>\n{self.search_form()}\n{form}{footer}\n</div>"
        module = f'<div class="module{" filtered" if cl.has_filters else ""}" id="changelist">'
        container = f'<div class="changelist-form-container">\n{inner}\n</div>'
        return mark_safe(f'<div id="content-main">\n{module}\n{container}\n</div>\n</div>')

    def _csrf(self) -> str:
        token = get_token(self.request)
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'

    def filters(self) -> str:
        cl = self.cl
        if not cl.has_filters:
            return ""
        extra = []
        if cl.is_facets_optional:
            if cl.add_facets:
                link = f'<a href="{escape(cl.remove_facet_link)}" class="hidelink">{gettext("Hide counts")}</a>'
            else:
                link = f'<a href="{escape(cl.add_facet_link)}" class="viewlink">{gettext("Show counts")}</a>'
            extra.append(f"<h3>{link}</h3>")
        if cl.has_active_filters:
            clear = f'<a href="{escape(cl.clear_all_filters_qs)}">&#10006; {gettext("Clear all filters")}</a>'
            extra.append(f"<h3>{clear}</h3>")
        extra_html = f'<div id="changelist-filter-extra-actions">{"".join(extra)}</div>' if extra else ""
        head = f'<h2 id="changelist-filter-header">{gettext("Filter")}</h2>'
        return (
            f'<search id="changelist-filter" aria-labelledby="changelist-filter-header">\n{head}\n{extra_html}\n'
            f"{cl.filters_html()}\n</search>"
        )

    def search_form(self) -> str:
        """Django's admin/search_form.html."""
        cl = self.cl
        if not cl.search_fields:
            return ""
        described = ' aria-describedby="searchbar_helptext"' if cl.search_help_text else ""
        hidden = "".join(
            f'<input type="hidden" name="{_text(key)}" value="{_text(value)}">\n'
            for key, value in cl.params.items()
            if key != SEARCH_VAR
        )
        help_text = ""
        if cl.search_help_text:
            help_div = f'<div class="help" id="searchbar_helptext">{_text(cl.search_help_text)}</div>'
            help_text = f'<br class="clear">\n{help_div}'
        title = gettext("Search %(name)s") % {"name": _text(cl.opts.verbose_name_plural)}
        return (
            f'<div id="toolbar">\n<h2 id="changelist-search-form" class="visually-hidden">{title}</h2>\n'
            '<form id="changelist-search" method="get" role="search" aria-labelledby="changelist-search-form">\n'
            "<div><!-- DIV needed for valid HTML -->\n"
            f'<label for="searchbar"><img src="{escape(static_url("admin/img/search.svg"))}" alt="Search"></label>\n'
            f'<input type="text" size="40" name="{SEARCH_VAR}" value="{_text(cl.query)}" id="searchbar"{described}>\n'
            f'<input type="submit" value="{gettext("Search")}">\n{self._result_count()}{hidden}</div>\n'
            f"{help_text}\n</form></div>"
        )

    def _result_count(self) -> str:
        cl = self.cl
        if cl.result_count == cl.full_result_count:
            return ""
        count = ngettext("%(counter)s result", "%(counter)s results", cl.result_count)
        count %= {"counter": _text(cl.result_count)}
        query = f"{IS_POPUP_VAR}=1{'&' if cl.add_facets else ''}" if cl.is_popup else ""
        query += IS_FACETS_VAR if cl.add_facets else ""
        if cl.show_full_result_count:
            link = gettext("%(full_result_count)s total") % {"full_result_count": _text(cl.full_result_count)}
        else:
            link = gettext("Show all")
        return f'<span class="small quiet">{count} (<a href="?{escape(query)}">{link}</a>)</span>\n'

    def result_list(self) -> str:
        """The result_list block of the list's template: the actions bar above and below the table as configured."""
        context, cl = self.context, self.cl
        actions = context["action_form"] and cl.show_admin_actions
        top = self.actions(0) if actions and context["actions_on_top"] else ""
        bottom = self.actions(1 if top else 0) if actions and context["actions_on_bottom"] else ""
        return f"{top}\n{cl.result_table()}\n{bottom}"

    def actions(self, index: int) -> str:
        """The list's admin/…/actions.html (Django's actions bar, its select written as the form would write it)."""
        form = self.context["action_form"]
        options = "".join(
            f'<option value="{_text(value)}"{"" if value else " selected"}>{_text(label)}</option>\n'
            for value, label in form.fields["action"].choices
        )
        select = f'<label>{_text(form["action"].label)} <select name="action" required>\n{options}</select></label>'
        hidden = '<input type="hidden" name="select_across" value="0" class="select-across">'
        run = f'<button type="submit" class="button" name="index" value="{index}">{gettext("Run")}</button>'
        return f'<div class="actions">\n{select}{hidden}\n{run}\n{self._selection_counter()}</div>'

    def _selection_counter(self) -> str:
        context, cl = self.context, self.cl
        if not context["actions_selection_counter"]:
            return ""
        shown = len(cl.result_list)
        counter = (
            f'<span class="action-counter" data-actions-icnt="{_text(shown)}" aria-live="polite" aria-atomic="true">'
            f"{_text(context['selection_note'])}</span>\n"
        )
        if cl.result_count == shown:
            return counter
        select_all = gettext("Select all %(total_count)s %(module_name)s") % {
            "total_count": _text(cl.result_count),
            "module_name": _text(context["module_name"]),
        }
        return (
            f'{counter}<span class="all hidden">{_text(context["selection_note_all"])}</span>\n'
            f'<span class="question hidden">\n<a role="button" href="#">{select_all}</a>\n</span>\n'
            f'<span class="clear hidden"><a role="button" href="#">{gettext("Clear selection")}</a></span>\n'
        )

    def pagination(self) -> str:
        """The list's admin/…/pagination.html: Django's, the whole table's count PostgreSQL's estimate."""
        cl = self.cl
        values = pagination(cl)
        links = ""
        if values["pagination_required"]:
            items = "".join(f"<li>{self._page_link(number)}</li>\n" for number in values["page_range"])
            links = f"<ul>\n{items}</ul>\n"
        name = _text(cl.opts.verbose_name_plural)
        if getattr(cl.paginator, "estimated", False):
            count = f"About {_text(cl.result_count)} {name}"
        else:
            count = f"{_text(cl.result_count)} {_text(cl.opts.verbose_name) if cl.result_count == 1 else name}"
        show_all = ""
        if values["show_all_url"]:
            show_all = f'<a href="{_text(values["show_all_url"])}" class="showall">{gettext("Show all")}</a>'
        title = gettext("Pagination %(name)s") % {"name": name}
        return (
            f'<nav class="paginator" aria-labelledby="pagination">\n'
            f'<h2 id="pagination" class="visually-hidden">{title}</h2>\n{links}{count}\n{show_all}\n</nav>'
        )

    def _page_link(self, number: Any) -> str:
        """Django's paginator_number tag."""
        cl = self.cl
        if number == cl.paginator.ELLIPSIS:
            return f"{escape(str(number))} "
        if number == cl.page_num:
            return f'<a role="button" href="" aria-current="page">{escape(str(number))}</a> '
        return f'<a role="button" href="{escape(cl.get_query_string({PAGE_VAR: number}))}">{escape(str(number))}</a> '
