import { randomFillSync } from 'node:crypto';
export const randomWords = (out) => {
    randomFillSync(out);
};
//# sourceMappingURL=random-words.js.map