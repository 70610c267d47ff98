// GET /sub/{token} — VPN client apps: the user's current link(s) as the profile their app reads (User-Agent, or ?format=), with subscription headers. The token is the credential.
// Limited per client address and per token (429 + Retry-After; apps keep their last profile), then answered from the database alone.
import { z } from "zod";
import { subscriptionDeps } from "@/server/composition/service-deps";
import { clientAddressFrom } from "@/server/http/client-address";
import { methodNotAllowed, route } from "@/server/http/route";
import { profileFormatFor } from "@/server/services/subscriptions/formats/profile-format";
import { getSubscription } from "@/server/services/subscriptions/get-subscription";
import { subscriptionResponse } from "@/server/services/subscriptions/subscription-response";

export const dynamic = "force-dynamic";

export const GET = route("GET /sub/{token}", { auth: "public", params: z.object({ token: z.string() }) }, async ({ app, request, params }) => {
  await app.rateLimiter.hit("sub-address", clientAddressFrom(request.headers, app.config.trustProxyHops));
  await app.rateLimiter.hit("sub-token", params.token);
  const format = profileFormatFor(request);
  return subscriptionResponse(await getSubscription(subscriptionDeps(app), params.token), app.config.subscription, format);
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
