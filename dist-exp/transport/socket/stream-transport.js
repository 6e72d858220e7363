export {};
//# sourceMappingURL=stream-transport.js.map