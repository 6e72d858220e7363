export {};
//# sourceMappingURL=ip-layer.js.map