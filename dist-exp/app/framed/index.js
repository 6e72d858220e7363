/** Stage 1, the framed-message protocol: the codec, the server, the client and what they send. */
export * from './framed-client.js';
export * from './framed-confirmation.js';
export * from './framed-echo-app.js';
export * from './framed-header.js';
export * from './framed-message-source.js';
//# sourceMappingURL=index.js.map