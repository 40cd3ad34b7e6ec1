// A small client written against the generated types only: create a
// campaign, give to it, read one's notifications. If a document changes
// in a way that would break such a client, this no longer compiles.

import type * as Campaign from "./generated/campaign";
import type * as Donation from "./generated/donation";
import type * as Messaging from "./generated/messaging";

type Json<Op, Status extends number> = Op extends {
  responses: { [S in Status]: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

type Problem = Campaign.components["schemas"]["Problem"];

/** A problem+json answer, thrown as it came. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
  }
}

export interface Service {
  baseUrl: string;
  token: string;
}

async function call<T>(
  service: Service,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(new URL(path, service.baseUrl), {
    method,
    headers: {
      Authorization: `Bearer ${service.token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    throw new ApiProblem((await response.json()) as Problem);
  }
  return (await response.json()) as T;
}

type CreateCampaignBody =
  Campaign.paths["/campaigns"]["post"]["requestBody"]["content"]["application/json"];
type CampaignCreated = Json<Campaign.paths["/campaigns"]["post"], 201>;

export function createCampaign(
  service: Service,
  body: CreateCampaignBody,
  idempotencyKey: string,
): Promise<CampaignCreated> {
  return call(service, "POST", "/campaigns", body, { "Idempotency-Key": idempotencyKey });
}

type GiveBody =
  Donation.paths["/donations"]["post"]["requestBody"]["content"]["application/json"];
type Given = Json<Donation.paths["/donations"]["post"], 201>;

export function give(service: Service, body: GiveBody, idempotencyKey: string): Promise<Given> {
  return call(service, "POST", "/donations", body, { "Idempotency-Key": idempotencyKey });
}

/** What a donation body says, by its kind: the `oneOf` narrows on `kind`. */
export function describeGift(body: GiveBody): string {
  switch (body.kind) {
    case "money":
      return `${body.amount_minor} minor units of ${body.currency} to ${body.campaign_id}`;
    case "item":
      return `${body.quantity} × ${body.item_description} to ${body.request_id}`;
  }
}

type NotificationQuery = NonNullable<
  Messaging.paths["/notifications"]["get"]["parameters"]["query"]
>;
type NotificationPage = Json<Messaging.paths["/notifications"]["get"], 200>;

export function listNotifications(
  service: Service,
  query: NotificationQuery = {},
): Promise<NotificationPage> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) search.set(name, String(value));
  }
  return call(service, "GET", `/notifications?${search}`);
}

/** Every unread notification, page by page, following `next_cursor`. */
export async function allUnread(service: Service): Promise<NotificationPage["items"][number][]> {
  const all: NotificationPage["items"][number][] = [];
  let cursor: string | undefined;
  do {
    const page = await listNotifications(service, {
      unread: true,
      limit: 100,
      ...(cursor === undefined ? {} : { cursor }),
    });
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

/** The whole journey: a campaign, a gift to it, what the recipient hears. */
export async function journey(campaigns: Service, donations: Service, messaging: Service) {
  const campaign = await createCampaign(
    campaigns,
    {
      title: "Winter blankets for the shelter",
      goal_minor: 250000,
      currency: "USD",
      image_url: "https://images.example.org/blankets.jpg",
    },
    crypto.randomUUID(),
  );
  const gift: GiveBody = {
    kind: "money",
    campaign_id: campaign.id,
    amount_minor: 2500,
    currency: campaign.currency,
    message: "Stay warm!",
  };
  const donation = await give(donations, gift, crypto.randomUUID());
  const notifications = await allUnread(messaging);
  return { campaign, donation, notifications, said: describeGift(gift) };
}
