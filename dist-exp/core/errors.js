export class PilhaError extends Error {
    code;
    constructor(code, message) {
        super(message);
        this.code = code;
        this.name = 'PilhaError';
    }
}
//# sourceMappingURL=errors.js.map