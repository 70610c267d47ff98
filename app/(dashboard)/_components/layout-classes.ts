/**
 * For CardAction: below the title on phones, beside it from `sm` up. Longer (Russian) titles and
 * buttons do not fit side by side in a 390 px card.
 */
export const STACKED_CARD_ACTION =
  "col-start-1 row-span-1 row-start-3 justify-self-start sm:col-start-2 sm:row-span-2 sm:row-start-1 sm:justify-self-end";

/** For the CardHeader of a card using STACKED_CARD_ACTION: one column on phones, so the description stays under the title. */
export const STACKED_CARD_HEADER = "has-data-[slot=card-action]:grid-cols-1 sm:has-data-[slot=card-action]:grid-cols-[1fr_auto]";
