import type { EmploymentStatus } from '../../../core/employee';

/** A vendor-neutral synthetic employee; each fake renders it in its vendor's shape. */
export interface Person {
  id: string;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  preferredName?: string;
  email: string;
  status: EmploymentStatus;
  hireDate: string;
  terminationDate?: string;
  jobTitle: string;
  department: string;
  division: string;
  location: string;
  costCenter: string;
  employmentType: 'Full-Time' | 'Part-Time' | 'Contractor';
  managerId?: string;
  updatedAt: string;
}

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Radia',
  'Frances',
  'Linus',
  'Hedy',
];
const LAST = [
  'Lane',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Perlman',
  'Allen',
  'Okafor',
  'Müller',
];
const DEPARTMENTS = ['Engineering', 'People', 'Sales', 'Finance'];
const LOCATIONS = ['London', 'Berlin', 'New York'];
const STATUSES: EmploymentStatus[] = ['active', 'active', 'active', 'active', 'leave', 'pending', 'inactive'];

/** `count` distinct people with every field filled, deterministic for a given count. */
export function syntheticPeople(count: number): Person[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    const status = STATUSES[index % STATUSES.length] as EmploymentStatus;
    const firstName = FIRST[index % FIRST.length] as string;
    const lastName = `${LAST[(index * 5) % LAST.length] as string}${n}`;
    return {
      id: String(4000 + n),
      employeeNumber: `E-${String(n).padStart(4, '0')}`,
      firstName,
      lastName,
      ...(index % 3 === 0 ? { preferredName: firstName.slice(0, 3) } : {}),
      email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com`.replace('ü', 'ue'),
      status,
      hireDate: `20${String(10 + (index % 15)).padStart(2, '0')}-0${1 + (index % 9)}-1${index % 10}`,
      ...(status === 'inactive' ? { terminationDate: '2026-06-30' } : {}),
      jobTitle: index % 4 === 0 ? 'Engineering Manager' : 'Engineer',
      department: DEPARTMENTS[index % DEPARTMENTS.length] as string,
      division: index % 2 === 0 ? 'EMEA' : 'Americas',
      location: LOCATIONS[index % LOCATIONS.length] as string,
      costCenter: `CC${100 + (index % 5)}`,
      employmentType: index % 5 === 0 ? 'Part-Time' : index % 7 === 0 ? 'Contractor' : 'Full-Time',
      ...(index > 0 ? { managerId: String(4001) } : {}),
      updatedAt: `2026-11-${String(1 + (index % 20)).padStart(2, '0')}T08:00:00Z`,
    };
  });
}
