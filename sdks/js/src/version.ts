/** The SDK's version (package.json), sent in the User-Agent. */
export const VERSION = '0.1.0';
export const USER_AGENT = `core-php-sdk-js/${VERSION}`;
