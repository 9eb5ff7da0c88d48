/** The parts of Stremio's client library (JavaScript, untyped) the tests use; errors are `{code, message}`. */
declare module 'stremio-addon-client' {
  interface AddonClient {
    manifest: Record<string, unknown>;
    transportUrl: string;
    isSupported(resource: string, type: string, id: string): boolean;
    get(
      resource: string,
      type: string,
      id: string,
      extra?: Record<string, string | number>,
    ): Promise<unknown>;
  }
  const client: {
    detectFromURL(url: string): Promise<{ addon?: AddonClient; collection?: unknown }>;
  };
  export default client;
}
