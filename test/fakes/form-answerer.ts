/**
 * A fetch stand-in for an HTTP provider's gateway (`fetchImpl`): it records each form it is posted and answers `body`
 * as JSON with `status`, as the provider's documentation shows its answers. For unit tests of the answer handling;
 * the integration tests speak to local fakes of the providers over loopback.
 */
export function formAnswerer(body: unknown, status = 200) {
  const requests: { url: string; form: URLSearchParams }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    requests.push({ url, form: new URLSearchParams(String(init.body)) });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { requests, fetchImpl };
}
