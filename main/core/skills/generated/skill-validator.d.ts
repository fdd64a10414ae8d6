export default function validate(data: unknown): boolean;
