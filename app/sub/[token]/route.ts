// GET /sub/{token} — VPN client apps: the user's current link(s), base64, with subscription headers. The token is the credential.
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { errorResponse } from "@/server/http/route-handler";
import { getPanelClientFactory } from "@/server/services/nodes/app-node-deps";
import { getSubscription } from "@/server/services/subscriptions/get-subscription";
import { subscriptionResponse } from "@/server/services/subscriptions/subscription-response";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, context: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const { token } = await context.params;
    const env = getEnv();
    const subscription = await getSubscription({ db: await getDb(), panelFor: getPanelClientFactory() }, token);
    return subscriptionResponse(subscription, { title: env.SUBSCRIPTION_TITLE, updateHours: env.SUBSCRIPTION_UPDATE_HOURS });
  } catch (error) {
    return errorResponse(error, "GET /sub/{token}");
  }
}
