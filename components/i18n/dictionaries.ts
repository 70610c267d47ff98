import type { Locale } from "./locale";

/*
 * One flat dictionary per locale. `en` is the source of keys; `ru` must provide every one
 * (the `Dictionary` type enforces it). Placeholders use `{name}` and are filled by `t()`.
 */
const en = {
  "app.name": "Fleet",
  "app.tagline": "3X-UI control plane",

  "nav.label": "Main navigation",
  "nav.overview": "Overview",
  "nav.nodes": "Nodes",
  "nav.users": "Users",
  "nav.operations": "Operations",
  "nav.audit": "Audit log",
  "nav.settings": "Settings",
  "nav.open": "Open navigation",
  "nav.skipToContent": "Skip to content",

  "header.signedInAs": "Signed in as {name}",
  "header.signOut": "Sign out",

  "role.owner": "Owner",
  "role.admin": "Admin",
  "role.viewer": "Viewer",

  "theme.toggle": "Change theme",
  "theme.light": "Light",
  "theme.dark": "Dark",
  "theme.system": "System",

  "locale.toggle": "Change language",

  "health.healthy": "Healthy",
  "health.degraded": "Degraded",
  "health.unhealthy": "Unhealthy",
  "health.auth_error": "Auth error",
  "health.unknown": "Unknown",

  "adminState.active": "Active",
  "adminState.draining": "Draining",
  "adminState.disabled": "Disabled",

  "common.cancel": "Cancel",
  "common.confirm": "Confirm",
  "common.close": "Close",
  "common.copy": "Copy",
  "common.copied": "Copied",
  "common.copyFailed": "Could not copy to the clipboard",
  "common.typeToConfirm": "Type {text} to confirm",

  "pagination.label": "Pagination",
  "pagination.first": "First page",
  "pagination.previous": "Previous page",
  "pagination.next": "Next page",
  "pagination.last": "Last page",
  "pagination.page": "Page {page} of {pageCount}",
  "pagination.range": "{from}–{to} of {total}",

  "chart.noData": "No data for this period",
  "chart.capacity": "Capacity",
  "chart.users": "Users",
  "chart.timelineLabel": "{node}: {summary}",
} as const;

export type MessageKey = keyof typeof en;
export type Dictionary = Record<MessageKey, string>;

const ru: Dictionary = {
  "app.name": "Fleet",
  "app.tagline": "Панель управления 3X-UI",

  "nav.label": "Основная навигация",
  "nav.overview": "Обзор",
  "nav.nodes": "Узлы",
  "nav.users": "Пользователи",
  "nav.operations": "Операции",
  "nav.audit": "Журнал аудита",
  "nav.settings": "Настройки",
  "nav.open": "Открыть меню",
  "nav.skipToContent": "Перейти к содержимому",

  "header.signedInAs": "Вы вошли как {name}",
  "header.signOut": "Выйти",

  "role.owner": "Владелец",
  "role.admin": "Администратор",
  "role.viewer": "Наблюдатель",

  "theme.toggle": "Сменить тему",
  "theme.light": "Светлая",
  "theme.dark": "Тёмная",
  "theme.system": "Системная",

  "locale.toggle": "Сменить язык",

  "health.healthy": "Работает",
  "health.degraded": "Деградация",
  "health.unhealthy": "Недоступен",
  "health.auth_error": "Ошибка входа",
  "health.unknown": "Неизвестно",

  "adminState.active": "Активен",
  "adminState.draining": "Вывод",
  "adminState.disabled": "Отключён",

  "common.cancel": "Отмена",
  "common.confirm": "Подтвердить",
  "common.close": "Закрыть",
  "common.copy": "Копировать",
  "common.copied": "Скопировано",
  "common.copyFailed": "Не удалось скопировать в буфер обмена",
  "common.typeToConfirm": "Введите {text} для подтверждения",

  "pagination.label": "Постраничная навигация",
  "pagination.first": "Первая страница",
  "pagination.previous": "Предыдущая страница",
  "pagination.next": "Следующая страница",
  "pagination.last": "Последняя страница",
  "pagination.page": "Страница {page} из {pageCount}",
  "pagination.range": "{from}–{to} из {total}",

  "chart.noData": "Нет данных за этот период",
  "chart.capacity": "Ёмкость",
  "chart.users": "Пользователи",
  "chart.timelineLabel": "{node}: {summary}",
};

export const DICTIONARIES: Record<Locale, Dictionary> = { en, ru };
