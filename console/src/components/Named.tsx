/** Which row a button acts on, for screen readers (its visible text stays the start of its name). */
export const Named = ({ name }: { name: string }) => <span className="visually-hidden"> {name}</span>;
