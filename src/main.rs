fn main() {
    brokerlab::mount();
}
