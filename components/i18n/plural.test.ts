import { describe, expect, it } from "vitest";

import { formatDate, formatNumber } from "./format";
import { en as EN } from "./messages/en";
import { ru as RU } from "./messages/ru";
import { pluralFormIndex, selectPlural } from "./plural";
import { createTranslator, labelOf } from "./translate";

const RU_USERS = "{count} пользователь|{count} пользователя|{count} пользователей";

describe("selectPlural", () => {
  it.each([
    [0, "0 пользователей"],
    [1, "1 пользователь"],
    [2, "2 пользователя"],
    [4, "4 пользователя"],
    [5, "5 пользователей"],
    [11, "11 пользователей"],
    [12, "12 пользователей"],
    [14, "14 пользователей"],
    [21, "21 пользователь"],
    [22, "22 пользователя"],
    [25, "25 пользователей"],
    [101, "101 пользователь"],
    [111, "111 пользователей"],
    [1.5, "1.5 пользователя"],
  ])("ru: %s → %s", (count, expected) => {
    expect(selectPlural("ru", count, RU_USERS).replace("{count}", String(count))).toBe(expected);
  });

  it("en has one and other", () => {
    expect(selectPlural("en", 1, "{count} user|{count} users")).toBe("{count} user");
    expect(selectPlural("en", 0, "{count} user|{count} users")).toBe("{count} users");
    expect(selectPlural("en", 21, "{count} user|{count} users")).toBe("{count} users");
  });

  it("leaves a message without forms alone", () => {
    expect(selectPlural("ru", 5, "всего {count}")).toBe("всего {count}");
    expect(pluralFormIndex("ru", 5)).toBe(2);
  });
});

describe("createTranslator with plurals", () => {
  const ru = createTranslator("ru", RU);
  const en = createTranslator("en", EN);

  it("picks the Russian form and formats the count", () => {
    expect(ru("users.count", { count: 1 })).toBe("1 пользователь");
    expect(ru("users.count", { count: 3 })).toBe("3 пользователя");
    expect(ru("users.count", { count: 5 })).toBe("5 пользователей");
    expect(ru("users.count", { count: 21 })).toBe("21 пользователь");
    expect(ru("users.count", { count: 1234 })).toBe(`${formatNumber("ru", 1234)} пользователя`);
  });

  it("keeps the English wording", () => {
    expect(en("users.count", { count: 1 })).toBe("1 user");
    expect(en("users.count", { count: 2 })).toBe("2 users");
    expect(en("users.count", { count: 1234 })).toBe("1,234 users");
    expect(en("nodeActions.holdsUsers", { node: "de-1", count: 1 })).toBe("de-1 still holds 1 user");
    expect(ru("nodeActions.holdsUsers", { node: "de-1", count: 12 })).toBe("На de-1 ещё 12 пользователей");
  });
});

describe("formatDate", () => {
  it("formats dates for the locale", () => {
    const day = new Date(2025, 0, 2, 15, 4, 5);
    expect(formatDate("en", day)).toBe("1/2/2025");
    expect(formatDate("ru", day)).toBe("02.01.2025");
  });
});

describe("labelOf", () => {
  it("translates a known server value and shows an unknown one as is", () => {
    const ru = createTranslator("ru", RU);
    expect(labelOf(ru, "operationKind", "drain")).toBe("вывод из работы");
    expect(labelOf(createTranslator("en", EN), "operationKind", "drain")).toBe("drain");
    expect(labelOf(ru, "operationKind", "teleport")).toBe("teleport");
    expect(labelOf(ru, "operationKind", "constructor")).toBe("constructor");
  });
});
