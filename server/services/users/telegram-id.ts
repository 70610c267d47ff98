/** A VPN user's identity: their Telegram id, as the bot API and the dashboard take it. */
import { z } from "zod";

export const TelegramId = z
  .number()
  .int()
  .positive()
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: "The user's Telegram id.", example: 123456789 });
